# -*- coding: utf-8 -*-
# SPDX-License-Identifier: GPL-3.0-or-later
# Copyright: contributors to orgsync.atlassian

from __future__ import annotations


class ModuleDocFragment:
    # Every module of the collection is in the action group (meta/runtime.yml).
    DOCUMENTATION = r"""
attributes:
  action_group:
    description: Use C(group/orgsync.atlassian.atlassian) in C(module_defaults) to set the connection options.
    support: full
    membership:
      - orgsync.atlassian.atlassian
"""

    # The read-only modules (*_info).
    INFO_MODULE = r"""
attributes:
  check_mode:
    description: Read-only, so it runs the same in check mode and always reports C(changed=false).
    support: full
  diff_mode:
    description: Nothing is changed, so there is nothing to diff.
    support: none
"""
