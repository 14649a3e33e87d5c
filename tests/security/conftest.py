"""The browser tests' fixtures and hook, for the browser scenario of test_no_personal_data.py."""

from tests.browser.conftest import (  # noqa: F401
    _live_server_helper,
    alpha_url,
    browser_owner,
    chromium,
    db_unblocked,
    new_page,
    pytest_runtest_setup,
)
