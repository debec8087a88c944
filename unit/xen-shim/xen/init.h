/* SPDX-License-Identifier: GPL-2.0 */
/* Boot-time code is ordinary code in a test. */
#define __init
