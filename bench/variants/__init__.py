# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian
"""The benchmark's variants, one per file, each with ``NAME``, ``LABEL`` and ``run(ctx) -> Result``."""

from __future__ import annotations

from bench.variants import apa_script, module_loop, module_users, naive_script

VARIANTS = {v.NAME: v for v in (module_users, module_loop, naive_script, apa_script)}
