/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/* drivers/console/console.h: the console device's monitor side. */
#ifndef HUSK_CONSOLE_H
#define HUSK_CONSOLE_H

struct husk_vm;
struct husk_rules;

/* Register HUSK_HC_CONSOLE_WRITE (stdout and stderr of the monitor) and,
 * unless --stdin=none, HUSK_HC_CONSOLE_READ (its stdin). */
void husk_console_register(struct husk_vm *vm);
/* Allow what console_read needs: read(2) of stdin. */
int husk_console_sandbox_rules(const struct husk_vm *vm,
                               struct husk_rules *rules);

#endif
