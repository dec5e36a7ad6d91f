"""Publishing public artifacts (issue 4 builds this module)."""


def alert_publish(*, alert_id: int) -> None:
    raise NotImplementedError("publishing is built by the public-pages issue")
