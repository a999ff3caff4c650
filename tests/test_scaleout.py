"""With REDIS_URL set, sign-in throttling is stored in Redis and shared by every app process."""

import os

import pytest
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

REDIS_URL = os.environ.get("TEST_REDIS_URL")


@pytest.mark.skipif(not REDIS_URL, reason="TEST_REDIS_URL not set (.ci/run sets it)")
def test_two_hosts_share_the_throttle_through_redis():
    """Two limiters with their own connections stand for two gunicorn hosts."""
    storage = storage_from_string(REDIS_URL)
    storage.reset()
    limit = parse("3 per minute")
    hosts = [FixedWindowRateLimiter(storage_from_string(REDIS_URL)) for _ in range(2)]
    key = "login-account:someone@test.example"
    assert hosts[0].hit(limit, key)
    assert hosts[1].hit(limit, key)
    assert hosts[0].hit(limit, key)
    assert not hosts[1].hit(limit, key)
    storage.reset()
