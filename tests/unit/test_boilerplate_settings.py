"""The per-deployment switch and threshold for publisher boilerplate."""

from __future__ import annotations

import pytest

from workers.config import ConfigurationError, Settings


def test_boilerplate_learning_is_on_after_three_articles_by_default():
    settings = Settings.from_env({})
    assert (settings.learn_boilerplate, settings.boilerplate_min_articles) == (True, 3)


def test_boilerplate_learning_is_configured_from_the_environment():
    settings = Settings.from_env(
        {"NARRATE_LEARN_BOILERPLATE": "0", "NARRATE_BOILERPLATE_MIN_ARTICLES": "5"}
    )
    assert (settings.learn_boilerplate, settings.boilerplate_min_articles) == (False, 5)


@pytest.mark.parametrize(
    ("env", "says"),
    [
        ({"NARRATE_BOILERPLATE_MIN_ARTICLES": "0"}, "must be at least 1"),
        ({"NARRATE_BOILERPLATE_MIN_ARTICLES": "many"}, "whole number"),
        ({"NARRATE_LEARN_BOILERPLATE": "maybe"}, "must be 1 or 0"),
    ],
)
def test_bad_boilerplate_settings_say_what_they_take(env, says):
    with pytest.raises(ConfigurationError, match=says):
        Settings.from_env(env)
