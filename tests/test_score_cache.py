"""models.evaluate.ScoreCache: baseline scores survive a new process, a new metric version drops them."""

from __future__ import annotations

from models.evaluate import ScoreCache


def test_scores_round_trip_and_a_new_version_starts_empty(tmp_path):
    path = tmp_path / "sub" / "cache.json"
    cache = ScoreCache(path, "v1")
    assert cache.get("telea val 1.jpg") is None
    cache.put("telea val 1.jpg", [17.5, 0.44, 3])
    cache.save()
    assert ScoreCache(path, "v1").get("telea val 1.jpg") == [17.5, 0.44, 3.0]
    assert ScoreCache(path, "v2").get("telea val 1.jpg") is None
