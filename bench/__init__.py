# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""`make bench`: atlassian_group_member against hand-written scripts, on the emulator with latency and a rate limit."""
