"""The engine's size limits, defined once and applied alike by the API, the CLI and a service.

| limit             | value        | applies to                                                  |
|-------------------|--------------|-------------------------------------------------------------|
| MAX_FILE_BYTES    | 16 MiB       | every file the engine reads as text: rulebook files, the    |
|                   |              | policy source, profiles, reforms, mappings                  |
| MAX_YAML_NODES    | 10,000       | nodes (keys and values) of one rulebook, reform or mapping  |
|                   |              | file, aliases expanded                                      |
| MAX_PROFILE_NODES | 200,000      | nodes of one profile, read from a file or given to the API  |
| MAX_YAML_DEPTH    | 100          | nesting of one YAML/JSON document                           |
| MAX_LIST_ITEMS    | 10,000       | items of one list field of a profile (`Engine.evaluate`,    |
|                   |              | `what_if`, `gaps`, and each row of `score`)                 |
| MAX_JSON_RESULTS  | 200,000      | rule results `Evaluation.to_json` writes                    |

A registry file has no size limit: `score` reads it in batches, in bounded memory.
"""

from __future__ import annotations

import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from pydantic import BaseModel

from subsidy_engine.errors import Diagnostic, InputError, ProfileError

MAX_FILE_BYTES: Final = 16 * 1024 * 1024
MAX_YAML_NODES: Final = 10_000
MAX_PROFILE_NODES: Final = 200_000
MAX_YAML_DEPTH: Final = 100
MAX_LIST_ITEMS: Final = 10_000
MAX_JSON_RESULTS: Final = 200_000


def read_file(path: Path, limit: int = MAX_FILE_BYTES) -> bytes:
    """The bytes of the regular file `path`; InputError, before reading, for a device, a FIFO,
    a folder or a file over `limit` bytes (and when it grows past `limit` while read)."""
    try:
        # stat first: opening a FIFO would wait for a writer
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise InputError(f"{path}: is not a regular file")
        if info.st_size > limit:
            raise InputError(f"{path}: {info.st_size:,} bytes is over the limit of {limit:,}")
        with path.open("rb") as file:
            data = file.read(limit + 1)
    except OSError as error:
        raise InputError(f"cannot read {path}: {error.strerror or error}") from None
    if len(data) > limit:
        raise InputError(f"{path}: over the limit of {limit:,} bytes")
    return data


LIST_TOO_LONG: Final = f"more than {MAX_LIST_ITEMS:,} items, the limit per list"


def check_profile_size(profile: Mapping[str, Any] | BaseModel) -> None:
    """ProfileError when a list field of `profile` has more than MAX_LIST_ITEMS items, or
    `profile` more than MAX_PROFILE_NODES nodes (counted as in a YAML file: every key, value
    and item)."""
    fields = profile.__dict__ if isinstance(profile, BaseModel) else profile
    if not isinstance(fields, Mapping):
        return  # not a profile at all: validation says so
    if not isinstance(profile, BaseModel) and _too_many_nodes(profile):
        message = f"the profile has more than {MAX_PROFILE_NODES:,} values, the limit"
        raise ProfileError([Diagnostic("too-large", message)])
    too_long = [
        Diagnostic("too-long", f"{LIST_TOO_LONG} ({len(value):,} given)", yaml_path=str(name))
        for name, value in fields.items()
        if isinstance(value, list | tuple) and len(value) > MAX_LIST_ITEMS
    ]
    if too_long:
        raise ProfileError(too_long)


def check_json_size(results: int) -> None:
    """InputError when an evaluation of `results` rule results is too large to write as JSON."""
    if results > MAX_JSON_RESULTS:
        raise InputError(
            f"{results:,} rule results are over the JSON limit of {MAX_JSON_RESULTS:,}; "
            "use to_polars() for an evaluation this large"
        )


def _too_many_nodes(data: object) -> bool:
    count, stack = 0, [data]
    while stack:
        node = stack.pop()
        count += 1
        if count > MAX_PROFILE_NODES:
            return True
        if isinstance(node, Mapping):
            count += len(node)
            stack.extend(node.values())
        elif isinstance(node, list | tuple):
            stack.extend(node)
    return False
