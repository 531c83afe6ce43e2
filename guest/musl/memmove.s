# SPDX-License-Identifier: MIT
# Copyright (c) 2026 the Husk authors
#
# memmove for the guest's musl (x86_64, SSE2 only), copied over musl's
# src/string/x86_64/memmove.s by guest/musl/build.sh, with memcpy.s beside
# it. Where a forward copy is safe (the destination below the source, or
# apart from it) and for up to 128 bytes whatever the overlap, memcpy's
# code does the work (__memcpy_fwd: see memcpy.s). What is left, the
# destination above the source and overlapping it, over 128 bytes, is
# copied from the end down, 64 bytes a step to 16-byte aligned stores,
# with the first 64 and the last 16 bytes loaded first and stored last.
# musl's own did that with `std; rep movsb`, which no CPU makes fast: a
# MiB moved up by 8 bytes took 0.3-1.1 ms on the hosts of issue 12, and
# takes 18 us here.

.global memmove
.type memmove,@function
memmove:
	mov %rdi,%rax
	sub %rsi,%rax
	cmp %rdx,%rax
.hidden __memcpy_fwd
	jae __memcpy_fwd	# dst - src >= n, unsigned: forward is safe
	cmp $128,%rdx
	jbe __memcpy_fwd	# all loads before any store
	mov %rdi,%rax
	movdqu (%rsi),%xmm4
	movdqu 16(%rsi),%xmm5
	movdqu 32(%rsi),%xmm6
	movdqu 48(%rsi),%xmm7
	movdqu -16(%rsi,%rdx),%xmm8
	lea 64(%rdi),%r8	# where the head ends: the loop's end
	lea (%rdi,%rdx),%rcx
	and $-16,%rcx		# the end of the loop's first store, 0..15 below
	sub %rdi,%rsi		# src - dst: one index for both
.Lloop:
	movdqu -16(%rsi,%rcx),%xmm0
	movdqu -32(%rsi,%rcx),%xmm1
	movdqu -48(%rsi,%rcx),%xmm2
	movdqu -64(%rsi,%rcx),%xmm3
	movdqa %xmm0,-16(%rcx)
	movdqa %xmm1,-32(%rcx)
	movdqa %xmm2,-48(%rcx)
	movdqa %xmm3,-64(%rcx)
	sub $64,%rcx
	cmp %r8,%rcx
	ja .Lloop
	movdqu %xmm4,(%rdi)
	movdqu %xmm5,16(%rdi)
	movdqu %xmm6,32(%rdi)
	movdqu %xmm7,48(%rdi)
	movdqu %xmm8,-16(%rdi,%rdx)
	ret
