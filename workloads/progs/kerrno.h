/* SPDX-License-Identifier: GPL-2.0 */
/* The errno values BPF programs compare against (the C library's headers
 * are not for the BPF target). */
#ifndef ALLOCBENCH_KERRNO_H
#define ALLOCBENCH_KERRNO_H

#define ENOENT	2
#define E2BIG	7
#define ENOMEM	12
#define EBUSY	16
#define EEXIST	17

#endif
