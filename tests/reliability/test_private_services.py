"""The servers the fault tests stop are their own, and the check that the shared ones
kept running would see a restart."""

from tests.reliability.private_services import (
    SHARED_PORTS,
    PrivatePostgres,
    postgres_identity,
    redis_identity,
)


def test_a_private_redis_restart_is_seen(private_redis):
    assert private_redis.port not in SHARED_PORTS
    before = redis_identity(private_redis.url())
    private_redis.stop()
    assert redis_identity(private_redis.url()) is None
    private_redis.start()
    after = redis_identity(private_redis.url())
    assert before is not None and after is not None and after != before


def test_a_private_postgres_restart_is_seen_and_nothing_is_left_behind():
    cluster = PrivatePostgres()
    try:
        assert cluster.port not in SHARED_PORTS
        cluster.start()
        first_pid = cluster.process.pid
        before = postgres_identity(cluster.url())
        cluster.restart()
        after = postgres_identity(cluster.url())
        assert before is not None and after is not None and after != before
        assert cluster.process.pid != first_pid
    finally:
        cluster.destroy()
    assert not cluster.up()
    assert not cluster.folder.exists()
