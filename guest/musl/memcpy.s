# SPDX-License-Identifier: MIT
# Copyright (c) 2026 the Husk authors
#
# memcpy for the guest's musl (x86_64, SSE2 only: the baseline), copied
# over musl's src/string/x86_64/memcpy.s by guest/musl/build.sh. musl's
# own starts `rep movsq` for every size, and on the hosts of issue 12 (AMD
# EPYC under kvm-pvm) a string instruction takes about 12 ns to start:
# copies of 1-256 bytes took 5-20 ns with musl's, and 1-4 ns with this.
#
#   0..16 bytes     the first and the last 8 (4, 2) bytes: two loads, then
#                   two stores, which overlap unless n is 16 (8, 4); for
#                   1..3, the first, middle and last byte
#   17..128         the same with 2, 4 or 8 16-byte SSE loads and stores
#   129..REP_MIN-1  the first 16 and the last 64 bytes loaded, a loop of 64
#                   bytes a step to 16-byte aligned stores, then those two
#                   stored
#   REP_MIN..       `rep movsb` (ERMS) to a 64-byte aligned destination,
#                   the first 64 bytes loaded before and stored after
#
# Every path reads each byte before it writes over it, going forwards, and
# the paths up to 128 bytes read everything before they write anything. So
# this is also memmove wherever the destination is below the source or
# apart from it, and for up to 128 bytes whatever the overlap: memmove.s
# jumps here then (__memcpy_fwd).
#
# REP_MIN: where `rep movsb` starts to beat the loop, in cache, on the
# process backend on those hosts (the same program natively agrees): at
# 1 KiB the loop takes 13 ns and `rep movsb` 15-17, at 1.5 KiB 20 and
# 18-19, at 4 KiB 51 and 35-37. SSE2's 16-byte stores cannot keep up with
# the string instruction's beyond that, and it does not pay its start-up
# below it. Hosts where it starts faster would gain from a lower value.

.set REP_MIN, 1536

.global memcpy
.global __memcpy_fwd
.hidden __memcpy_fwd
.type memcpy,@function
memcpy:
__memcpy_fwd:
	mov %rdi,%rax
	cmp $16,%rdx
	ja .Lover16
	cmp $8,%edx
	jb .Lunder8
	mov (%rsi),%rcx
	mov -8(%rsi,%rdx),%r8
	mov %rcx,(%rdi)
	mov %r8,-8(%rdi,%rdx)
	ret
.Lunder8:
	cmp $4,%edx
	jb .Lunder4
	mov (%rsi),%ecx
	mov -4(%rsi,%rdx),%r8d
	mov %ecx,(%rdi)
	mov %r8d,-4(%rdi,%rdx)
	ret
.Lunder4:
	test %edx,%edx
	jz .Lret
	# 1..3: the first byte, the middle one (n / 2) and the last
	movzbl (%rsi),%ecx
	mov %edx,%r9d
	shr %r9d
	movzbl (%rsi,%r9),%r10d
	movzbl -1(%rsi,%rdx),%r8d
	mov %cl,(%rdi)
	mov %r10b,(%rdi,%r9)
	mov %r8b,-1(%rdi,%rdx)
.Lret:
	ret

.Lover16:
	cmp $32,%rdx
	ja .Lover32
	movdqu (%rsi),%xmm0
	movdqu -16(%rsi,%rdx),%xmm1
	movdqu %xmm0,(%rdi)
	movdqu %xmm1,-16(%rdi,%rdx)
	ret

.Lover32:
	cmp $64,%rdx
	ja .Lover64
	movdqu (%rsi),%xmm0
	movdqu 16(%rsi),%xmm1
	movdqu -32(%rsi,%rdx),%xmm2
	movdqu -16(%rsi,%rdx),%xmm3
	movdqu %xmm0,(%rdi)
	movdqu %xmm1,16(%rdi)
	movdqu %xmm2,-32(%rdi,%rdx)
	movdqu %xmm3,-16(%rdi,%rdx)
	ret

.Lover64:
	cmp $128,%rdx
	ja .Lover128
	movdqu (%rsi),%xmm0
	movdqu 16(%rsi),%xmm1
	movdqu 32(%rsi),%xmm2
	movdqu 48(%rsi),%xmm3
	movdqu -64(%rsi,%rdx),%xmm4
	movdqu -48(%rsi,%rdx),%xmm5
	movdqu -32(%rsi,%rdx),%xmm6
	movdqu -16(%rsi,%rdx),%xmm7
	movdqu %xmm0,(%rdi)
	movdqu %xmm1,16(%rdi)
	movdqu %xmm2,32(%rdi)
	movdqu %xmm3,48(%rdi)
	movdqu %xmm4,-64(%rdi,%rdx)
	movdqu %xmm5,-48(%rdi,%rdx)
	movdqu %xmm6,-32(%rdi,%rdx)
	movdqu %xmm7,-16(%rdi,%rdx)
	ret

.Lover128:
	cmp $REP_MIN,%rdx
	jae .Lrep
	# The head (16 bytes) and the tail (64) are loaded now and stored
	# last, so the loop may start at the first 16-byte boundary after dst
	# and stop anywhere in the tail.
	movdqu (%rsi),%xmm8
	movdqu -64(%rsi,%rdx),%xmm4
	movdqu -48(%rsi,%rdx),%xmm5
	movdqu -32(%rsi,%rdx),%xmm6
	movdqu -16(%rsi,%rdx),%xmm7
	lea -64(%rdi,%rdx),%r8	# where the tail goes: the loop's end
	lea 16(%rdi),%rcx
	and $-16,%rcx		# the loop's first store, 1..16 bytes in
	sub %rdi,%rsi		# src - dst: one index for both
.Lloop:
	movdqu (%rsi,%rcx),%xmm0
	movdqu 16(%rsi,%rcx),%xmm1
	movdqu 32(%rsi,%rcx),%xmm2
	movdqu 48(%rsi,%rcx),%xmm3
	movdqa %xmm0,(%rcx)
	movdqa %xmm1,16(%rcx)
	movdqa %xmm2,32(%rcx)
	movdqa %xmm3,48(%rcx)
	add $64,%rcx
	cmp %r8,%rcx
	jb .Lloop
	movdqu %xmm4,(%r8)
	movdqu %xmm5,16(%r8)
	movdqu %xmm6,32(%r8)
	movdqu %xmm7,48(%r8)
	movdqu %xmm8,(%rdi)
	ret

	# `rep movsb` is slower to a destination that is not 64-byte
	# aligned, so it starts at the first boundary, and the head, loaded
	# first, is stored last.
.Lrep:
	movdqu (%rsi),%xmm0
	movdqu 16(%rsi),%xmm1
	movdqu 32(%rsi),%xmm2
	movdqu 48(%rsi),%xmm3
	lea 63(%rdi),%rcx
	and $-64,%rcx
	sub %rdi,%rcx		# 0..63 bytes to the boundary
	add %rcx,%rdi
	add %rcx,%rsi
	sub %rcx,%rdx
	mov %rdx,%rcx
	rep movsb
	movdqu %xmm0,(%rax)
	movdqu %xmm1,16(%rax)
	movdqu %xmm2,32(%rax)
	movdqu %xmm3,48(%rax)
	ret
