"""Reports: what a period's tickets show, what a contract owes, and the pages that show it.

- ``periods``, ``measures``, ``summaries``, ``charts``, ``build``, ``whatif``, ``formatting``:
  the report value (``ticketsla.report`` is its public path);
- ``fees`` and ``statements``: fee tables, SLO verdicts, service credits and clawbacks (with the
  terms in ``ticketsla.contract_terms``, gathered at ``ticketsla.contract``);
- ``html_report`` and ``html_weekly``: the self-contained HTML page;
- ``describe``: the SLA document of a policy; ``escalation_report``: escalations per period.

Pure: nothing here reads a clock, a file or a database.
"""
