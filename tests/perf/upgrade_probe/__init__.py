"""A one-table tenant app that exists only for the upgrade benchmark (``bench_upgrades``).

``tests.perf.settings_upgrade`` installs it as a tenant app, so a deploy of "the release that
adds one table" can be timed over many schemas that were made without it.
"""
