"""The `shopgen` command line: parses options and calls one function per command."""

from __future__ import annotations

import datetime as dt
import traceback
from pathlib import Path

import click

from shopgen.errors import ShopgenError


def database_url(site: Path) -> str:
    """The tracker's database URL (imported when a command needs it: SQLAlchemy takes a
    second to import, and `shopgen build` never does)."""
    from shopgen.database import database_url as url

    return url(site)


def _site(_ctx: click.Context, _param: click.Parameter, value: Path | None) -> Path:
    from shopgen.config.site_folder import find_site

    return find_site(value)


SITE_OPTION = click.option(
    "--site",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    callback=_site,
    help="The shop folder, holding shop.yaml [default: the current folder, or its "
         "catalog_data/ when only that holds shop.yaml].",
)


class ShopgenGroup(click.Group):
    """Errors reach the user as one `Error: …` and exit code 1; the traceback only with --debug."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.exceptions.Abort, click.UsageError):
            raise
        except click.ClickException:
            if _debug(ctx):
                traceback.print_exc()
            raise
        except Exception as error:
            if _debug(ctx):
                raise
            raise ShopgenError(f"unexpected {type(error).__name__}: {error} "
                               "(run `shopgen --debug …` for the traceback)") from error


def _debug(ctx: click.Context) -> bool:
    return bool(ctx.params.get("debug"))


@click.group(cls=ShopgenGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--debug", is_flag=True, help="Show the traceback of an error.")
@click.version_option(package_name="shopgen")
def main(debug: bool) -> None:
    """shopgen: a product catalog in, one static searchable shop page out."""


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default="mysite")
def init(directory: Path) -> None:
    """Create a new shop in DIRECTORY from the sample shop."""
    from shopgen.init_site import init_site

    init_site(directory)
    click.echo(f"Created a new shop in {directory}. Next: cd {directory} && shopgen build")


@main.command()
@SITE_OPTION
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output folder [default: build/ inside the site].",
)
@click.option("--date", "day", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="Build as of this day (YYYY-MM-DD), e.g. to check scheduled prices "
                   "[default: today].")
@click.option("--force", is_flag=True, help="Build even when nothing changed since the last "
              "build.")
def build(site: Path, out: Path | None, day: dt.datetime | None, force: bool) -> None:
    """Build the static shop page from the catalog."""
    from shopgen.build import build_site

    build_site(site, out or site / "build", today=day.date() if day else None, force=force,
               echo=click.echo)


@main.command()
@SITE_OPTION
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="json: {ok, site, products, problems: [{file, line, "
              "message}]} for tools.")
def check(site: Path, fmt: str) -> None:
    """Check the catalog without building (every problem with its file and line)."""
    from shopgen.catalog.check import check_site

    if not check_site(site, fmt=fmt, echo=click.echo):
        raise SystemExit(1)


@main.command()
@SITE_OPTION
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port to listen on (0 picks a free one).")
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on (0.0.0.0 lets other machines see the preview).")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output folder [default: build/ inside the site].",
)
@click.pass_context
def serve(ctx: click.Context, site: Path, port: int, host: str, out: Path | None) -> None:
    """Build, serve the page and the beacon (on 127.0.0.1 unless --host), rebuild on change."""
    from shopgen.serve import serve_site

    serve_site(site, out or site / "build", port=port, host=host, database=database_url(site),
               echo=click.echo, debug=_debug(ctx.find_root()))


@main.command()
@SITE_OPTION
@click.option("--build-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The built site [default: build/ inside the site].")
@click.option("--dry-run", is_flag=True, help="Print the plan and change nothing.")
@click.option("--delete", is_flag=True, help="Remove objects that are no longer in the build.")
@click.option("--max-deletes", type=click.IntRange(-1), default=256, show_default=True,
              help="Refuse to delete more objects than this (-1 lifts the limit).")
@click.option("--wait", is_flag=True, help="Wait for the CloudFront invalidation to finish.")
@click.option("--profile", default=None, help="AWS profile to use.")
@click.option("--bucket", default=None, help="Override shop.yaml publish.bucket.")
@click.option("--region", default=None, help="Override shop.yaml publish.region.")
@click.option("--distribution-id", default=None, help="Override publish.distribution_id.")
@click.option("--prefix", default=None, help="Override shop.yaml publish.prefix.")
@click.option("--endpoint-url", default=None, envvar="AWS_ENDPOINT_URL",
              help="S3/CloudFront endpoint (for testing against a local endpoint).")
def publish(site: Path, build_dir: Path | None, **options: object) -> None:
    """Upload the build to S3 and invalidate what changed in CloudFront."""
    from shopgen.publish import publish_command

    publish_command(site, build_dir or site / "build", echo=click.echo, **options)
    if not options.get("dry_run"):
        from shopgen.report.catalog_sync import sync_after_publish

        sync_after_publish(site, database_url(site), click.echo)


FIRST_REPORT_DAY = dt.date(2000, 1, 1)
REPORT_DAYS_AHEAD = 366  # a report may end up to a year ahead (a month's report run early)


def _utc_today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def _date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date like 2026-11-24") from None
    last = _utc_today() + dt.timedelta(days=REPORT_DAYS_AHEAD)
    if not FIRST_REPORT_DAY <= day <= last:
        raise click.BadParameter(f"{value} is not between {FIRST_REPORT_DAY} and {last}")
    return day


def _check_report_window(since: dt.date | None, until: dt.date | None) -> None:
    """--since after --until (or after today, when --until is not given) is a usage error."""
    last = until or _utc_today()
    if since is not None and since > last:
        what = f"--until {until}" if until else f"today ({last}, UTC)"
        raise click.UsageError(f"--since {since} is after {what}")


def _zone(_ctx: click.Context, _param: click.Parameter, value: str | None) -> str | None:
    from shopgen.report.zones import check_zone

    if value is not None and (problem := check_zone(value)):
        raise click.BadParameter(problem)
    return value


@main.command()
@SITE_OPTION
@click.option("--since", callback=_date, help="First day (YYYY-MM-DD) [default: 30 days ago].")
@click.option("--until", callback=_date, help="Last day (YYYY-MM-DD) [default: today].")
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json", "html"]),
              default="table", show_default=True)
@click.option("--output", type=click.Path(path_type=Path), default=None,
              help="Write to this file instead of the terminal (csv: a folder, one file a "
              "section).")
@click.option("--include-bots", is_flag=True, help="Count events flagged as bots too.")
@click.option("--period", type=click.Choice(["day", "week", "month"]), default="day",
              show_default=True, help="Period of the time series.")
@click.option("--compare", type=click.Choice(["previous", "year"]), default=None,
              help="Show each figure beside the period just before, or a year before.")
@click.option("--tz", callback=_zone, metavar="ZONE",
              help="IANA time zone of the days [default: shop.yaml timezone, else UTC].")
@click.option("--suggest-synonyms", is_flag=True,
              help="Suggest search.synonyms for shop.yaml from searches with no result.")
def report(site: Path, **options: object) -> None:
    """What customers searched, viewed, filtered and called about."""
    from shopgen.report import report_command

    _check_report_window(options["since"], options["until"])  # type: ignore[arg-type]
    report_command(site, database=database_url(site), echo=click.echo, **options)


@main.command(name="import")
@click.argument("kind", type=click.Choice(["shopify", "sheet", "merchant"]))
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@SITE_OPTION
@click.option("--prune", is_flag=True, help="Delete the shop's products that the file lacks.")
@click.option("--name", default=None, help="The name of a new shop [default: the folder's].")
@click.option("--currency", default=None,
              help="ISO 4217 code of the file's prices (needed for a new shop when the file "
                   "does not say it).")
def import_command(kind: str, file: Path, site: Path, **options: object) -> None:
    """Import a Shopify product CSV, a spreadsheet (.csv/.xlsx) or a Merchant feed
    (.xml/.tsv) into the shop, by SKU."""
    from shopgen.importers import import_catalog

    import_catalog(kind, file, site, echo=click.echo, **options)


@main.command(name="export")
@click.argument("kind", type=click.Choice(["sheet", "merchant"]))
@SITE_OPTION
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The file to write [default: catalog.csv or merchant.xml here].")
def export_command(kind: str, site: Path, out: Path | None) -> None:
    """Export the catalog as a spreadsheet (.csv/.xlsx) or a Merchant Center RSS feed."""
    from shopgen.feeds import export_catalog

    export_catalog(kind, site, out, echo=click.echo)


@main.command()
@SITE_OPTION
@click.option("--stack", default=None, help="CloudFormation stack name [default: shopgen-"
              "<the shop's name>].")
@click.option("--region", default=None, help="AWS region [default: publish.region, else the "
              "profile's].")
@click.option("--profile", default=None, help="AWS profile to use.")
@click.option("--dry-run", is_flag=True, help="Print the change set and change nothing.")
@click.option("--yes", is_flag=True, help="Apply the change set without asking.")
@click.option("--database-secret", default=None, metavar="NAME",
              help="Where the tracker's database URL is kept: a Secrets Manager secret NAME, "
                   "or ssm:/NAME for an SSM SecureString (needed on the first deploy).")
@click.option("--parameter", "parameters", multiple=True, metavar="KEY=VALUE",
              help="A template parameter (repeatable), e.g. CreateDatabase=true.")
@click.option("--code-bucket", default=None, help="Bucket for the tracker's zip [default: "
              "shopgen-artifacts-ACCOUNT-REGION, created if missing].")
@click.option("--tracker-zip", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              default=None, help="Deploy this zip from `shopgen tracker package` instead of "
                                 "packaging the tracker now.")
@click.option("--template", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              default=None, help="A changed copy of the CloudFormation template "
                                 "[default: the one shopgen ships].")
@click.option("--endpoint-url", default=None, envvar="AWS_ENDPOINT_URL",
              help="AWS endpoint (for testing against a local endpoint).")
def deploy(site: Path, **options: object) -> None:
    """Create or update the shop's AWS stack and write its outputs into shop.yaml."""
    from shopgen.deploy.command import DeployOptions, deploy_command

    deploy_command(site, DeployOptions(**options), echo=click.echo,
                   confirm=lambda question: click.confirm(question, default=False))


@main.group()
def db() -> None:
    """The tracker's database."""


@db.command()
@SITE_OPTION
def upgrade(site: Path) -> None:
    """Create or upgrade the tracker's database schema (Alembic migrations)."""
    from shopgen.database import upgrade_tracker_database

    upgrade_tracker_database(database_url(site))
    click.echo("Database schema is up to date.")


@db.command(name="sync-catalog")
@SITE_OPTION
def sync_catalog(site: Path) -> None:
    """Write the catalog's products to the database's products table (for SQL joins)."""
    from shopgen.report.catalog_sync import describe
    from shopgen.report.catalog_sync import sync_catalog as sync

    click.echo(describe(sync(site, database_url(site))))


def _age(_ctx: click.Context, _param: click.Parameter, value: str) -> str:
    from tracker.retention import parse_age

    try:
        parse_age(value)
    except ValueError as error:
        raise click.BadParameter(str(error)) from None
    return value


@db.command()
@SITE_OPTION
@click.option("--older-than", "age", required=True, callback=_age, metavar="AGE",
              help="Delete events received longer ago than this: 90d, 12w, 13m, 2y.")
def prune(site: Path, age: str) -> None:
    """Delete old events (and their daily salts), in small batches."""
    from shopgen.report.command import open_report_engine
    from tracker.retention import cutoff, prune_events

    before = cutoff(age, dt.datetime.now(dt.UTC))
    engine = open_report_engine(database_url(site))
    try:
        deleted = prune_events(engine, before,
                               progress=lambda n: click.echo(f"  {n} deleted…", err=True))
    finally:
        engine.dispose()
    click.echo(f"Deleted {deleted} events received before {before:%Y-%m-%d %H:%M} UTC.")


@main.group(name="tracker")
def tracker_group() -> None:
    """The beacon Lambda."""


@tracker_group.command()
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("dist/tracker-lambda.zip"), show_default=True)
def package(out: Path) -> None:
    """Write the tracker Lambda's deployment zip (x86_64, Python 3.11 runtime).

    It goes to dist/, not build/: build/ is the site that `shopgen publish` uploads and the
    next `shopgen build` replaces.
    """
    from shopgen.deploy.tracker_zip import package_tracker

    path = package_tracker(out, echo=click.echo)
    click.echo(f"Wrote {path}")


if __name__ == "__main__":
    main()
