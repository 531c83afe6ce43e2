# SPDX-License-Identifier: MIT
# Copyright (c) 2026 the Husk authors
#
# memset for the guest's musl (x86_64, SSE2 only), copied over musl's
# src/string/x86_64/memset.s by guest/musl/build.sh. musl's own stores
# pairs that overlap up to 126 bytes, as this does, but above that starts
# `rep stosq`, which costs about 15 ns from 127 bytes to 2 KiB on the
# hosts of issue 12, as `rep movsq` does in memcpy. Here, as in memcpy.s:
#
#   0..128 bytes    stores of the first and the last 8 (4, 2, 1) bytes, or
#                   2, 4 or 8 16-byte SSE stores, that overlap
#   129..REP_MIN-1  the first 16 and the last 64 bytes, and a loop of 64
#                   bytes a step of 16-byte aligned stores between
#   REP_MIN..       the first 64 bytes, then `rep stosb` from the first
#                   64-byte boundary
#
# REP_MIN: measured as memcpy's: at 1 KiB the loop takes 10 ns and
# `rep stosb` 14-15, at 2 KiB 19 and 17-18, at 4 KiB 38-45 and 34-36.

.set REP_MIN, 2048

.global memset
.type memset,@function
memset:
	movzbl %sil,%ecx
	mov $0x0101010101010101,%r8
	imul %rcx,%r8		# the byte in each of the 8
	mov %rdi,%rax
	cmp $16,%rdx
	ja .Lover16
	cmp $8,%edx
	jb .Lunder8
	mov %r8,(%rdi)
	mov %r8,-8(%rdi,%rdx)
	ret
.Lunder8:
	cmp $4,%edx
	jb .Lunder4
	mov %r8d,(%rdi)
	mov %r8d,-4(%rdi,%rdx)
	ret
.Lunder4:
	test %edx,%edx
	jz .Lret
	mov %r8b,(%rdi)
	mov %r8b,-1(%rdi,%rdx)
	cmp $2,%edx
	jbe .Lret
	mov %r8b,1(%rdi)
.Lret:
	ret

.Lover16:
	movq %r8,%xmm0
	punpcklqdq %xmm0,%xmm0
	cmp $32,%rdx
	ja .Lover32
	movdqu %xmm0,(%rdi)
	movdqu %xmm0,-16(%rdi,%rdx)
	ret

.Lover32:
	cmp $64,%rdx
	ja .Lover64
	movdqu %xmm0,(%rdi)
	movdqu %xmm0,16(%rdi)
	movdqu %xmm0,-32(%rdi,%rdx)
	movdqu %xmm0,-16(%rdi,%rdx)
	ret

.Lover64:
	cmp $128,%rdx
	ja .Lover128
	movdqu %xmm0,(%rdi)
	movdqu %xmm0,16(%rdi)
	movdqu %xmm0,32(%rdi)
	movdqu %xmm0,48(%rdi)
	movdqu %xmm0,-64(%rdi,%rdx)
	movdqu %xmm0,-48(%rdi,%rdx)
	movdqu %xmm0,-32(%rdi,%rdx)
	movdqu %xmm0,-16(%rdi,%rdx)
	ret

.Lover128:
	cmp $REP_MIN,%rdx
	jae .Lrep
	movdqu %xmm0,(%rdi)
	lea -64(%rdi,%rdx),%r8	# where the tail goes: the loop's end
	lea 16(%rdi),%rcx
	and $-16,%rcx		# the loop's first store, 1..16 bytes in
.Lloop:
	movdqa %xmm0,(%rcx)
	movdqa %xmm0,16(%rcx)
	movdqa %xmm0,32(%rcx)
	movdqa %xmm0,48(%rcx)
	add $64,%rcx
	cmp %r8,%rcx
	jb .Lloop
	movdqu %xmm0,(%r8)
	movdqu %xmm0,16(%r8)
	movdqu %xmm0,32(%r8)
	movdqu %xmm0,48(%r8)
	ret

	# `rep stosb` is slower to a destination that is not 64-byte
	# aligned: the first 64 bytes are stored here, and it starts at the
	# first boundary.
.Lrep:
	movdqu %xmm0,(%rdi)
	movdqu %xmm0,16(%rdi)
	movdqu %xmm0,32(%rdi)
	movdqu %xmm0,48(%rdi)
	lea (%rdi,%rdx),%rcx	# the end
	add $63,%rdi
	and $-64,%rdi
	sub %rdi,%rcx
	mov %rax,%r9
	mov %r8,%rax		# al: the byte
	rep stosb
	mov %r9,%rax
	ret
