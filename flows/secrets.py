"""Secrets come from the environment or from Prefect Secret blocks, and are never logged.

`get_secret("FOLLOWUP_EWS_PASSWORD")` returns the environment variable if set; otherwise, if
`FOLLOWUP_EWS_PASSWORD_BLOCK` names a Prefect Secret block, that block's value.
"""

from __future__ import annotations

import os
from typing import cast

from pydantic import SecretStr


class MissingSecret(RuntimeError):
    pass


def get_secret(name: str, *, required: bool = True) -> SecretStr | None:
    value = os.environ.get(name)
    if value:
        return SecretStr(value)
    block_name = os.environ.get(f"{name}_BLOCK")
    if block_name:
        from prefect.blocks.system import Secret

        block = cast(Secret[str], Secret.load(block_name, _sync=True))  # type: ignore[call-arg]
        return SecretStr(str(block.get()))
    if required:
        raise MissingSecret(
            f"Hemligheten {name} saknas: sätt miljövariabeln {name} "
            f"eller {name}_BLOCK till namnet på ett Prefect Secret-block."
        )
    return None
