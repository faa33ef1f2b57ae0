"""The six modes, each written once: what the window lists (name, tip, Alt+N, icon), how its panel
is made, and what it takes from elsewhere in the studio. Every "Send to…", "Use as…" and "Reuse
settings" path reads this module; nothing else lists the modes.

What a mode takes:
- ``intakes``: the ways an image can be put into it, each a *target* the menus offer ("Send to
  Remix" puts the image in as Remix's source; "Use as face-swap character" fills Face swap's
  character reference). A target's key is what the menus and the library's signals carry.
- ``reuses``: the operation name a job or stored image carries (``operation_label`` tag, else the
  request's ``operation``) that "Reuse settings" opens this mode for.

This module imports no panel and nothing of the API at its top: the window reads it before the first
frame, and a panel's module is imported only when ``Mode.create_panel`` (or ``panel_in_steps``) is
first called.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from ..common.in_steps import Steps
    from .mode_panel import ModePanel


class IntakeKind(Enum):
    """How an image goes into a mode: each kind is one method of ModePanel."""

    #: As the mode's source image ("Send to …"): ``set_source``.
    SOURCE = "source"
    #: As the character to keep ("Use as …"): ``set_character``.
    CHARACTER = "character"
    #: As a style reference ("Use as …"): ``add_style_reference``, in the current mode when it
    #: takes one, else in the mode the intake belongs to.
    STYLE_REFERENCE = "style-reference"


@dataclass(frozen=True)
class Intake:
    """One "Send to / Use as" target."""

    #: What the menus and signals carry: a mode id for a source, a role name for a reference.
    key: str
    kind: IntakeKind
    #: The item's text in a "Send to" or "Use as" menu ("Face swap (the photo)").
    label: str
    #: Place in the menus (the order designers know: Edit first).
    order: int

    @property
    def is_source(self) -> bool:
        return self.kind is IntakeKind.SOURCE

    def menu_text(self) -> str:
        """The item's text in a menu that mixes sources and references (the result's context menu)."""
        if self.is_source:
            return f"Send to {self.label}"
        return f"Use as {self.label[:1].lower()}{self.label[1:]}"


@dataclass(frozen=True)
class Mode:
    #: Stable id: the window's page name (``mode-<id>``), the saved state's key, the target key.
    id: str
    #: The mode's button and its name in messages ("Background").
    name: str
    tip: str
    #: Alt+1 … Alt+6, in the order of the modes' buttons.
    shortcut: str
    #: The icon: ``icons/<name>.svg`` of the package (``theme.icon(name)`` draws it in the theme).
    icon: str
    #: The class of the mode's panel (imports its module on first call).
    panel_class: Callable[[], type[ModePanel]]
    intakes: tuple[Intake, ...] = ()
    #: The operation name whose settings "Reuse settings" opens in this mode.
    reuses: str | None = None
    #: The mask canvas takes the window's centre while this mode shows.
    paints_mask: bool = False
    #: The modules the panel needs that the window has not loaded (a module before those importing
    #: it): made in steps, the panel imports one per step first (`panel_in_steps`).
    modules: tuple[str, ...] = ()
    #: Of those, the ones free of Qt too long for a step: imported in a worker thread meanwhile.
    modules_in_worker: tuple[str, ...] = ()

    def create_panel(self, parent: QWidget | None) -> ModePanel:
        """The mode's panel, made now."""
        return self.panel_class()(parent)

    def panel_in_steps(self, parent: QWidget | None, *, rows_later: bool = False) -> Steps[ModePanel]:
        """The mode's panel made a piece at a time (ui/common/in_steps.py): its modules, then its parts
        (`rows_later`: see ModePanel)."""
        from ..common.in_steps import imported

        yield from imported(self.modules, in_worker=self.modules_in_worker)
        return (yield from self.panel_class().made_in_steps(parent, rows_later=rows_later))


def _generate() -> type[ModePanel]:
    from .generate import GeneratePanel

    return GeneratePanel


def _remix() -> type[ModePanel]:
    from .remix import RemixPanel

    return RemixPanel


def _edit() -> type[ModePanel]:
    from .edit import EditPanel

    return EditPanel


def _face_swap() -> type[ModePanel]:
    from .face_swap import FaceSwapPanel

    return FaceSwapPanel


def _reframe() -> type[ModePanel]:
    from .reframe import ReframePanel

    return ReframePanel


def _background() -> type[ModePanel]:
    from .background import BackgroundPanel

    return BackgroundPanel


def _modules(*names: str) -> tuple[str, ...]:
    return tuple(f"ideogram_studio.{name}" for name in names)


#: What a panel with a source image needs (ui/modes/source_image.py), then Pillow's plugins (read
#: for the form's first check: stand_ins.stand_in).
_SOURCE_MODULES = (
    *_modules(
        "imaging.source_prep", "imaging.pillow_memory", "ui.common.paintable_image", "ui.common.worker_pool",
        "ui.modes.source_loading", "ui.modes.source_image",
    ),
    "PIL.BmpImagePlugin", "PIL.GifImagePlugin", "PIL.JpegImagePlugin", "PIL.PpmImagePlugin",
)
#: What a panel with the mask canvas needs (ui/mask/), numpy first (in a worker: ~60 ms).
_MASK_MODULES = _modules(
    "imaging.mask_export", "ui.mask", "ui.mask.canvas_actions", "ui.mask.image_item", "ui.mask.layer",
    "ui.mask.mask_file_load", "ui.mask.mask_snapshot", "ui.mask.mask_loading", "ui.mask.tools",
    "ui.mask.overlays", "ui.mask.canvas", "ui.mask.context_window", "ui.mask.editor",
    "ui.modes.precise_edit_box", "ui.modes.edit",
)

#: The role keys of the reference targets (what LibraryPage.use_as_requested carries).
ROLE_CHARACTER = "face-swap-character"
ROLE_STYLE = "style-reference"

_SOURCE = IntakeKind.SOURCE

#: The modes in the order of their buttons (Alt+1 … Alt+6).
MODES: tuple[Mode, ...] = (
    Mode(
        "generate", "Generate", "Make images from a prompt", "Alt+1", "modes/generate", _generate,
        intakes=(Intake(ROLE_STYLE, IntakeKind.STYLE_REFERENCE, "Style reference", 7),),
        reuses="generate",
    ),
    Mode(
        "remix", "Remix", "Make new images from an image and a prompt", "Alt+2", "modes/remix", _remix,
        intakes=(Intake("remix", _SOURCE, "Remix", 2),),
        reuses="remix",
        modules=(*_SOURCE_MODULES, *_modules("ui.modes.remix")),
    ),
    Mode(
        "edit", "Edit", "Paint a mask and change only that part", "Alt+3", "modes/edit", _edit,
        intakes=(Intake("edit", _SOURCE, "Edit", 1),),
        reuses="edit",
        paints_mask=True,
        modules=(*_SOURCE_MODULES, *_MASK_MODULES),
        modules_in_worker=("numpy",),
    ),
    Mode(
        "face-swap", "Face swap", "Paint the face and give a character reference", "Alt+4", "modes/face-swap",
        _face_swap,
        intakes=(
            Intake("face-swap", _SOURCE, "Face swap (the photo)", 5),
            Intake(ROLE_CHARACTER, IntakeKind.CHARACTER, "Face-swap character", 6),
        ),
        reuses="face-swap",
        paints_mask=True,
        modules=(*_SOURCE_MODULES, *_MASK_MODULES, *_modules("ui.modes.face_swap")),
        modules_in_worker=("numpy",),
    ),
    Mode(
        "reframe", "Reframe", "Extend an image to a new size", "Alt+5", "modes/reframe", _reframe,
        intakes=(Intake("reframe", _SOURCE, "Reframe", 3),),
        reuses="reframe",
        modules=(*_SOURCE_MODULES, *_modules("imaging.reframe_layout", "ui.modes.reframe")),
    ),
    Mode(
        "replace-background", "Background", "Keep the subject, paint a new background", "Alt+6",
        "modes/background", _background,
        intakes=(Intake("replace-background", _SOURCE, "Replace background", 4),),
        reuses="replace-background",
        modules=(*_SOURCE_MODULES, *_modules("ui.modes.background")),
    ),
)

BY_ID: Mapping[str, Mode] = {m.id: m for m in MODES}
#: The mode that opens first and takes what no other mode does.
DEFAULT_MODE = MODES[0].id


def mode(mode_id: str) -> Mode:
    """The mode with this id; KeyError for an unknown one."""
    return BY_ID[mode_id]


def targets() -> list[tuple[Mode, Intake]]:
    """Every "Send to / Use as" target with its mode, in menu order."""
    return sorted(((m, i) for m in MODES for i in m.intakes), key=lambda pair: pair[1].order)


def target(key: str) -> tuple[Mode, Intake] | None:
    """The mode and intake a target key names, or None."""
    return next(((m, i) for m, i in targets() if i.key == key), None)


def send_to_items() -> list[tuple[str, str]]:
    """(key, label) of the "Send to" submenu: the modes that take an image as their source."""
    return [(i.key, i.label) for _m, i in targets() if i.is_source]


def use_as_items() -> list[tuple[str, str]]:
    """(key, label) of the "Use as" submenu: the references an image can be."""
    return [(i.key, i.label) for _m, i in targets() if not i.is_source]


def mode_for_reuse(operation: str) -> Mode | None:
    """The mode that "Reuse settings" opens for a job or image stored under this operation name."""
    return next((m for m in MODES if m.reuses == operation), None)
