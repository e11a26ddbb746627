"""How the report's figures look and are saved: one theme, one resolution, and the helpers
every drawing module shares (a figure with nothing to show, a series per device)."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import seaborn as sns  # noqa: E402

sns.set_theme(style="whitegrid", context="paper")
DPI = 110


def save(fig, path):
    fig.savefig(path, dpi=DPI, bbox_inches="tight")
    plt.close(fig)


def empty(message):
    """A figure that says, in its body, why it has nothing to show (the workflow goes on)."""
    fig, ax = plt.subplots(figsize=(6, 1.5))
    ax.axis("off")
    ax.text(0.5, 0.5, message, ha="center", va="center", wrap=True)
    return fig


def impl_order(df):
    return sorted(df["impl"].unique())


def series(df):
    """df with `impl` renamed to its series: `impl` on the CPU, `impl (device)` elsewhere."""
    if df.empty:
        return df
    return df.assign(impl=df["impl"].where(df["device"] == "cpu",
                                           df["impl"] + " (" + df["device"] + ")"))


def dodge(df, hue, width):
    """seaborn's point plots divide `dodge` among the hue levels less one: with one level (a
    grid narrowed to one batch or implementation) nothing to dodge."""
    return width if df[hue].nunique() > 1 else False
