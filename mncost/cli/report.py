"""``mncost report``: the design-review page of one configuration (HTML or Markdown)."""

from __future__ import annotations

from pathlib import Path

import click

from mncost.cli.options import UserError, model_options, scaling_options

__all__ = ["REPORT_FORMATS", "report_command"]

REPORT_FORMATS = {".html": "html", ".htm": "html", ".md": "markdown", ".markdown": "markdown"}


def _format(output: Path) -> str:
    fmt = REPORT_FORMATS.get(output.suffix.lower())
    if fmt is None:
        raise UserError(f"cannot write {output.name!r}: unsupported file ending "
                        f"{output.suffix or '(none)'!r}; use .html or .md")
    return fmt


def _write(path: Path, content: str | bytes) -> None:
    from mncost.report.files import OutputError, write_atomic

    try:
        write_atomic(path, content)
    except OutputError as exc:
        raise UserError(str(exc)) from None


@click.command("report", short_help="Design-review page of one configuration "
                                    "(HTML or Markdown).", epilog="""\b
Examples:
  mncost report --alpha 0.75 --res 160 -o review.html
  mncost report -a 0.5 -r 128 -o review.md    # charts as PNG files beside it
  mncost report --spec examples/tiny-cifar.yaml -o tiny.html
  mncost report -o review.md --no-images      # Markdown without the charts
""")
@model_options
@scaling_options
@click.option("--output", "-o", type=click.Path(path_type=Path), default=None,
              metavar="FILE",
              help="Write FILE: .html (one offline file) or .md (charts as PNG files next "
                   "to it). [default: ./review.html]")
@click.option("--images/--no-images", default=True, show_default=True,
              help="Markdown only: write the charts as PNG files next to FILE (needs "
                   "kaleido and Chromium).")
def report_command(model, spec, alpha, resolution, rho, classes, bn, fc_bias, rounding,
                   output, images):
    """Write the page a design reviewer wants for MODEL (default: mobilenet-v1) at the
    given alpha and resolution.

    It holds the configuration and counting conventions, the per-layer table, the
    breakdown by layer type (also as a chart), cost ratios against the paper's
    published MobileNets, the Pareto plot of published results with this configuration
    marked, and the summary of mncost's reproduction of the paper's cost figures.
    """
    from mncost.cli.core import compute_cost
    from mncost.plot.output import PlotOutputError, check_writable, figure_images
    from mncost.report.review import build_review, review_html, review_markdown

    output = output if output is not None else Path("review.html")
    fmt = _format(output)
    try:
        check_writable(output)
    except PlotOutputError as exc:
        raise UserError(str(exc)) from None
    result = compute_cost(model, spec, alpha, resolution, rho, classes, bn, fc_bias, rounding)
    if spec is not None:
        source = f"spec file {spec.name}"
    else:
        from mncost.models.registry import list_models

        entry = next(e for e in list_models() if e.name == result.model)
        source = f"built-in model ({entry.source})"
    review = build_review(result, source, match_published=spec is None)
    if fmt == "html":
        _write(output, review_html(review))
        click.echo(f"wrote {output.resolve()} (html)", err=True)
        return
    # Markdown: render every chart first, so a failure leaves no file half-written.
    keys = [s.figure for s in review.sections if s.figure is not None]
    names = {key: f"{output.stem}-{key.replace('_', '-')}.png" for key in keys}
    pictures: dict[str, bytes] = {}
    missing = "--no-images was given"
    if images:
        try:
            rendered = figure_images([review.figures[k]() for k in keys], "png")
            pictures = dict(zip(keys, rendered, strict=True))
        except PlotOutputError as exc:
            missing = str(exc)
    for key, data in pictures.items():
        _write(output.with_name(names[key]), data)
    _write(output, review_markdown(review, {k: names[k] for k in pictures}, missing))
    for key in pictures:
        click.echo(f"wrote {output.with_name(names[key]).resolve()} (png)", err=True)
    click.echo(f"wrote {output.resolve()} (markdown)", err=True)
