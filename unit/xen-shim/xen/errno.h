/* SPDX-License-Identifier: GPL-2.0 */
#include <errno.h>
