"""The lazy export table (PEP 562): a name's module is imported on first use, then kept."""

from __future__ import annotations

from typing import Any

import pytest

from rekolabels._lazy import exports


def test_a_name_is_imported_on_first_use_and_then_kept() -> None:
    namespace: dict[str, Any] = {}
    getattr_, dir_ = exports("rekolabels", {"exports": "_lazy"}, namespace, ["exports"])
    assert "exports" not in namespace
    assert getattr_("exports") is exports
    assert namespace["exports"] is exports  # kept: the next lookup never reaches __getattr__
    assert dir_() == ["exports"]


def test_an_unknown_name_is_an_attribute_error_naming_the_package() -> None:
    getattr_, _ = exports("rekolabels", {}, {}, [])
    with pytest.raises(AttributeError, match="module 'rekolabels' has no attribute 'nope'"):
        getattr_("nope")


def test_the_packages_use_it() -> None:
    import rekolabels
    import rekolabels.testing

    assert "LabelDetectionClient" in dir(rekolabels)
    assert "FakeRekognition" in dir(rekolabels.testing)
    with pytest.raises(AttributeError, match=r"'rekolabels\.testing' has no attribute 'nope'"):
        getattr(rekolabels.testing, "nope")  # noqa: B009
