"""Which files a shop may read: links that lead out of the shop folder are refused.

A catalog copied from someone else (a zip, a repository) could otherwise make the build read,
and publish, any file of this machine: `products/x.yaml` → `~/.aws/credentials`, or
`images/a.jpg` → a private photo. A link that stays inside the shop folder is fine, and so is
a whole folder linked elsewhere (`images/` → a shared photo drive): that is the shop's own
layout. One file linked out of its folder is what gets refused.
"""

from __future__ import annotations

from pathlib import Path


def link_outside(site_dir: Path, path: Path) -> Path | None:
    """Where `path` really is when it is a link out of the shop folder and out of its own
    folder's real location; None when the shop may read it."""
    if not path.is_symlink():  # then it is where its folder really is: allowed
        return None
    real = path.resolve()
    allowed = (Path(site_dir).resolve(), path.parent.resolve())
    if any(real.is_relative_to(root) for root in allowed):
        return None
    return real


def refused_link_message(real: Path) -> str:
    """The problem text for a file refused by `link_outside`."""
    return (f"refused: this is a link to {real}, outside the shop folder "
            "(copy the file into the shop instead)")
