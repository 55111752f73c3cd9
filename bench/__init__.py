# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""`make bench`: the collection's modules against loops and hand-written scripts, on the emulator (Jira Cloud and
Confluence Cloud sites) with latency and a rate limit."""
