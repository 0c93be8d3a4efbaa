"""The publish stage: the build folder to S3 and a CloudFront invalidation.

`plan.py` decides (a pure function: local files × bucket state → uploads, skips, deletes,
invalidations), `state.py` reads what the bucket holds, `execute.py` carries the plan out with
boto3, and `command.py` ties them to the settings and to `shopgen publish`.
"""

from shopgen.publish.command import (
    PublishSettings,
    make_clients,
    publish_command,
    publish_site,
    scan_build,
)
from shopgen.publish.execute import UPLOAD_WORKERS

__all__ = ["UPLOAD_WORKERS", "PublishSettings", "make_clients", "publish_command",
           "publish_site", "scan_build"]
