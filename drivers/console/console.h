/* SPDX-License-Identifier: MIT */
/* Copyright (c) 2026 the Husk authors */
/* drivers/console/console.h: the console device's monitor side. */
#ifndef HUSK_CONSOLE_H
#define HUSK_CONSOLE_H

struct husk_vm;

/* Register HUSK_HC_CONSOLE_WRITE (stdout and stderr of the monitor). */
void husk_console_register(struct husk_vm *vm);

#endif
