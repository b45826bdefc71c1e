"""The one validated schema of a scenario document (links, imports, the saved store, the CLI).

A document is small JSON text (see :mod:`sim.scenarios.overrides`). Before it is parsed its size and its
nesting depth are checked (``data/limits.toml``), so no link can make the server build huge
objects or recurse; after parsing, :class:`ScenarioDoc` (pydantic) checks every field's type,
that numbers are finite and within physical bounds, and that texts are short and allowed
(:mod:`sim.files.text`: no control characters, surrogates or non-characters). Every violation is an :class:`~sim.files.errors.InputError` naming the field
(``spend.talent.2``) in Chinese and English; nothing else can come out of :func:`parse` or
:func:`validate`.
"""
from __future__ import annotations

import functools
import json
import math
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError
from pydantic_core import PydanticCustomError

from sim.files.datadir import DATA_DIR, read_toml
from sim.files.errors import InputError
from sim.files.text import bad_char, clean, normal

FORMAT = "innovation-sim-scenario/1"


@functools.cache
def limits() -> dict:
    """``data/limits.toml``: what a user may send, each limit with its reason."""
    return read_toml(DATA_DIR / "limits.toml")


def _lim(section: str, key: str):
    return limits()[section][key]


# ---------------------------------------------------------------------- field types
def _number(v: Any) -> float:
    """A JSON number (not a boolean, not text), finite."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise PydanticCustomError("number", "not a number / 不是数字")
    x = float(v) if not isinstance(v, int) or abs(v) < 2 ** 63 else math.inf
    if not math.isfinite(x):
        raise PydanticCustomError("finite", "not a finite number / 不是有限数值")
    return x


def _bounded(lo_key: tuple[str, str] | float, hi_key: tuple[str, str]):
    def check(v: Any) -> float:
        x = _number(v)
        lo = lo_key if isinstance(lo_key, (int, float)) else float(_lim(*lo_key))
        hi = float(_lim(*hi_key))
        if not lo <= x <= hi:
            raise PydanticCustomError("range", f"outside {lo:g} – {hi:g} / 超出 {lo:g} – {hi:g}")
        return x
    return check


def _spend(v: Any) -> float | list[float]:
    """万元: one number (the first year's) or one per year."""
    check = _bounded(0.0, ("values", "spend_max"))
    if isinstance(v, list):
        if len(v) > int(_lim("document", "last_year")) - int(_lim("document", "first_year")):
            raise PydanticCustomError("too_long", "too many years / 年份过多")
        return [check(x) for x in v]
    return check(v)


def _text(v: Any) -> str:
    """A short text that every writer accepts (:mod:`sim.files.text`), in NFC form."""
    if not isinstance(v, str):
        raise PydanticCustomError("text", "not a text / 不是文字")
    if len(v) > int(_lim("document", "max_text")):
        n = _lim("document", "max_text")
        raise PydanticCustomError("too_long", f"longer than {n} characters / 超过 {n} 个字符")
    char = bad_char(v)
    if char is not None:
        raise PydanticCustomError("control", f"the character {char} is not allowed / 不允许字符 {char}")
    return normal(v)


def _year(v: Any) -> int:
    if isinstance(v, bool) or not isinstance(v, int):
        raise PydanticCustomError("year", "not a whole year / 不是整年份")
    lo, hi = int(_lim("document", "first_year")), int(_lim("document", "last_year"))
    if not lo <= v <= hi:
        raise PydanticCustomError("range", f"outside {lo} – {hi} / 超出 {lo} – {hi}")
    return v


def _scalar(v: Any) -> float | str:
    """A region value or management item: a number (≥ 0, bounded) or a short text (a category)."""
    return _text(v) if isinstance(v, str) else _bounded(0.0, ("values", "base_max"))(v)


def _entries(v: Any) -> Any:
    if not isinstance(v, dict):
        raise PydanticCustomError("object", "not an object {…} / 不是对象 {…}")
    if len(v) > int(_lim("document", "max_entries")):
        n = _lim("document", "max_entries")
        raise PydanticCustomError("too_long", f"more than {n} entries / 超过 {n} 项")
    return v


Text = Annotated[str, BeforeValidator(_text)]
Year = Annotated[int, BeforeValidator(_year)]
Spend = Annotated[Any, BeforeValidator(_spend)]
Growth = Annotated[float, BeforeValidator(_bounded(("values", "growth_min"), ("values", "growth_max")))]
Base = Annotated[float, BeforeValidator(_bounded(0.0, ("values", "base_max")))]
Scalar = Annotated[Any, BeforeValidator(_scalar)]
Key = Annotated[str, BeforeValidator(_text)]


def _section(value):
    return Annotated[dict[Key, value], BeforeValidator(_entries)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class RegionDoc(_Strict):
    """A region's own base-year data: rubric column or indicator id -> value."""

    name: Text = ""
    values: _section(Scalar) = Field(default_factory=dict)


class ScenarioDoc(_Strict):
    """A scenario document (see :mod:`sim.scenarios.overrides`); every key but ``preset`` optional."""

    format: Literal["innovation-sim-scenario/1"] | None = None
    name: Text | None = None
    preset: Text
    region: RegionDoc | None = None
    horizon: Year | None = None
    status_quo: Literal["share", "flat", "plan"] | None = None
    reading: Literal["assessment", "data"] | None = None
    pace: Literal["mixed", "continue", "fade", "accelerate"] | None = None
    spend: _section(Spend) | None = None
    growth: _section(Growth) | None = None
    management: _section(Scalar) | None = None
    base: _section(Base) | None = None
    saved_at: Text | None = None


# ---------------------------------------------------------------------- entry points
CUSTOM = ("number", "finite", "range", "too_long", "text", "control", "year", "object")


def _error(exc: ValidationError) -> InputError:
    """The first violation as an InputError naming the field."""
    e = exc.errors(include_url=False)[0]
    loc = ".".join(str(p) for p in e["loc"]) or "document"
    if e["type"] == "extra_forbidden":
        return InputError("unknown_key", key=loc, known=", ".join(ScenarioDoc.model_fields))
    if e["type"] == "missing":
        return InputError("bad_setting", key=loc, value="—", reason="missing / 缺少")
    if e["type"] == "literal_error":
        reason = f"{e['ctx'].get('expected', '')} / 只能取 {e['ctx'].get('expected', '')}"
    elif e["type"] in ("model_type", "dict_type", "model_attributes_type"):
        reason = "not an object {…} / 不是对象 {…}"
    elif e["type"] in CUSTOM:
        reason = e["msg"]
    else:  # a pydantic check this module does not name: its English words and a Chinese hint
        reason = f"{e['msg']} / 格式不对"
    value = e.get("input")
    shown = value if isinstance(value, (int, float, str, bool)) or value is None else type(value).__name__
    return InputError("bad_setting", key=clean(loc), value=clean(str(shown))[:40], reason=reason)


def validate(doc: Any) -> dict:
    """A document (parsed JSON) checked against :class:`ScenarioDoc`; returns it without the
    keys that were absent. InputError (naming the field) otherwise."""
    if not isinstance(doc, dict):
        raise InputError("bad_json", reason=f"{type(doc).__name__}: an object {{…}} with \"preset\" / 应为含 \"preset\" 的对象")
    try:
        model = ScenarioDoc.model_validate(doc)
    except ValidationError as exc:
        raise _error(exc) from None
    return model.model_dump(exclude_none=True, exclude_defaults=False, exclude_unset=True)


def check_text(text: str | bytes, max_bytes: int | None = None) -> str:
    """The text of a JSON document if it is small and shallow enough to parse (InputError
    otherwise): at most ``max_bytes`` (default: one document's limit) and nested at most
    ``max_depth`` levels, counted without parsing."""
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InputError("bad_json", reason=str(exc)[:120]) from None
    if not isinstance(text, str):
        raise InputError("bad_json", reason=type(text).__name__)
    limit = max_bytes or int(_lim("document", "max_bytes"))
    size = len(text.encode("utf-8", "surrogatepass"))
    if size > limit:
        raise InputError("document_too_large", size=f"{size:,}", limit=f"{limit:,}")
    depth, deepest, in_string, escaped = 0, 0, False, False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
            if deepest > int(_lim("document", "max_depth")) + 1:  # an import list adds one level
                raise InputError("document_too_deep", limit=_lim("document", "max_depth"))
        elif ch in "]}":
            depth -= 1
    return text


def loads(text: str | bytes, max_bytes: int | None = None) -> Any:
    """JSON text -> Python value, after :func:`check_text` (InputError for bad JSON)."""
    text = check_text(text, max_bytes)
    try:
        return json.loads(text, parse_constant=_no_constant)
    except (ValueError, RecursionError) as exc:
        raise InputError("bad_json", reason=str(exc)[:120]) from None


def _no_constant(name: str):
    raise ValueError(f"{name} is not a number in JSON / JSON 中没有 {name}")


def parse(text: str | bytes) -> dict:
    """A scenario document from JSON text: size, depth and schema checked."""
    return validate(loads(text))
