"""The window's actions: text, shortcuts and plain-words tooltips, in one place.

Each action calls the function it is created with (the window's ``run_command``) with its name;
the commands themselves (:mod:`gui.commands`) are loaded with the inventory.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QToolBar

_Key = QKeySequence.StandardKey

#: Quick filters in the View menu: (name in core.services.view.rows.QuickFilter, label, shortcut).
QUICK = (
    ("all", "Show &all", "Ctrl+1"),
    ("attention", "Show channels that &need attention", "Ctrl+2"),
    ("expiring", "Show channels &expiring within 30 days", "Ctrl+3"),
    ("mws", "Show &MWS-only channels", "Ctrl+4"),
)


@dataclass
class Actions:
    save: QAction
    revert: QAction
    undo: QAction
    add_company: QAction
    add_channel: QAction
    edit: QAction
    remove: QAction
    find: QAction
    open_demo: QAction
    quit: QAction
    about: QAction
    expand: QAction
    collapse: QAction
    reauthorize: QAction
    test_connection: QAction
    test_all: QAction
    roll_back: QAction
    app_credentials: QAction
    history: QAction
    export: QAction
    import_file: QAction
    plan: QAction
    export_report: QAction
    open_review: QAction
    support_bundle: QAction
    open_log_folder: QAction
    quick: dict[str, QAction] = field(default_factory=dict)


def install(window: QMainWindow, a: Actions) -> None:
    """The menu bar and the toolbar."""
    bar = window.menuBar()
    for title, items in (
        (
            "&File",
            [
                a.save,
                a.revert,
                None,
                a.import_file,
                a.export,
                a.export_report,
                None,
                a.open_review,
                a.open_demo,
                None,
                a.quit,
            ],
        ),
        (
            "&Edit",
            [a.undo, None, a.add_company, a.add_channel, a.edit, a.remove, a.history, None, a.find],
        ),
        ("&View", [*a.quick.values(), None, a.expand, a.collapse]),
        (
            "&Amazon",
            [
                a.reauthorize,
                a.test_connection,
                a.test_all,
                a.roll_back,
                None,
                a.plan,
                None,
                a.app_credentials,
            ],
        ),
        ("&Help", [a.open_log_folder, a.support_bundle, None, a.about]),
    ):
        menu = bar.addMenu(title)
        for item in items:
            menu.addSeparator() if item is None else menu.addAction(item)
    tools = QToolBar("Main toolbar")
    tools.setObjectName("mainToolbar")
    tools.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    tools.setMovable(False)
    for item in (
        a.save, a.undo, a.revert, None, a.add_company, a.add_channel, a.edit, a.remove, None,
        a.reauthorize, a.test_connection, a.test_all,
    ):  # fmt: skip
        tools.addSeparator() if item is None else tools.addAction(item)
    window.addToolBar(tools)


def create(window: QMainWindow, run: Callable[[str], None]) -> Actions:
    """Every action, each calling ``run(its name)`` when triggered."""

    def make(
        name: str,
        text: str,
        tip: str,
        keys: tuple[QKeySequence.StandardKey | str, ...] = (),
    ) -> QAction:
        action = QAction(text, window)
        action.setObjectName(name)
        action.setToolTip(tip)
        action.setStatusTip(tip)
        if keys:
            action.setShortcuts([QKeySequence(k) for k in keys])
        action.triggered.connect(lambda _checked=False: run(name))
        return action

    acts = Actions(
        save=make(
            "save",
            "&Save",
            "Save every pending change to the inventory and the keychain (Ctrl+S).",
            (_Key.Save,),
        ),
        revert=make(
            "revert", "&Revert", "Drop every unsaved change and go back to what was last saved."
        ),
        undo=make("undo", "&Undo", "Take back the last unsaved change (Ctrl+Z).", (_Key.Undo,)),
        add_company=make(
            "add_company", "Add &company", "Add a company (Ctrl+Shift+N).", ("Ctrl+Shift+N",)
        ),
        add_channel=make(
            "add_channel",
            "Add c&hannel",
            "Add an Amazon marketplace to the selected company (Ctrl+N).",
            (_Key.New,),
        ),
        edit=make(
            "edit", "&Edit", "Edit the selected company or channel (Ctrl+E).", ("Ctrl+E", "F2")
        ),
        remove=make(
            "remove",
            "Re&move…",
            "Remove the selected company or channel (Delete). You can Undo until you Save.",
            (_Key.Delete,),
        ),
        find=make("find", "&Filter…", "Jump to the filter box (Ctrl+F).", (_Key.Find,)),
        open_demo=make(
            "open_demo",
            "Open the &demo",
            "Open a sample inventory in a separate window; it never touches your own data.",
        ),
        quit=make("quit", "&Quit", "Close SP Connect (Ctrl+Q).", ("Ctrl+Q",)),
        about=make("about", "&About SP Connect", "Which version this is."),
        expand=make("expand", "E&xpand all", "Show every company's channels."),
        collapse=make("collapse", "C&ollapse all", "Show only the companies."),
        reauthorize=make(
            "reauthorize",
            "&Reauthorize…",
            "Get a new Amazon authorization for the selected channel or company: Amazon's "
            "consent page opens in your browser (Ctrl+R).",
            ("Ctrl+R",),
        ),
        test_connection=make(
            "test_connection",
            "&Test connection",
            "Check that the stored authorizations of the selected channels still work. This "
            "does not renew them (Ctrl+T).",
            ("Ctrl+T",),
        ),
        # Its text and tooltip follow the filter (gui.checks.test_all.sync_action).
        test_all=make(
            "test_all",
            "Test &all",
            "Check every channel's stored authorization (Ctrl+Shift+T).",
            ("Ctrl+Shift+T",),
        ),
        roll_back=make(
            "roll_back",
            "Roll &back…",
            "Go back to the authorization the selected channels had before their last "
            "reauthorization; channels sharing it move together (Ctrl+Shift+B).",
            ("Ctrl+Shift+B",),
        ),
        app_credentials=make(
            "app_credentials",
            "App &credentials…",
            "The SP-API app your sellers authorize: its IDs, client secret and redirect address.",
        ),
        history=make(
            "history",
            "&History…",
            "What was saved about the selected channel or company, and when (Ctrl+H).",
            ("Ctrl+H",),
        ),
        export=make(
            "export",
            "&Export…",
            "Write the inventory to a JSON or CSV file (never a secret), as it shows now.",
        ),
        import_file=make(
            "import_file",
            "&Import…",
            "Add companies and channels from a CSV or JSON file: you see what changes first, "
            "and nothing is kept until you Save.",
        ),
        plan=make(
            "plan",
            "Reauthorization &plan…",
            "Every consent still needed, one per seller and region, as a checklist with each "
            "one's state: for working through a call with a seller (Ctrl+Shift+R).",
            ("Ctrl+Shift+R",),
        ),
        export_report=make(
            "export_report",
            "E&xport report…",
            "Save a printable report (PDF or a web page): the summary, the reauthorization "
            "plan and every channel. It holds no secret.",
        ),
        open_review=make(
            "open_review",
            "Open for re&view…",
            "Read an exported JSON file without changing anything: no Save, no keychain, no "
            "Amazon (Ctrl+Shift+O).",
            ("Ctrl+Shift+O",),
        ),
        support_bundle=make(
            "support_bundle",
            "Create &support bundle…",
            "Save a zip to attach to a support ticket: the inventory as it shows now, the last "
            "log lines and versions, with every secret taken out.",
        ),
        open_log_folder=make(
            "open_log_folder",
            "Open &log folder",
            "Show the folder with SP Connect's log files, which support may ask for. They hold "
            "no secret.",
        ),
    )
    # Delete only acts on the tree: in a text field it deletes text.
    acts.remove.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
    for name, text, key in QUICK:
        action = make(f"quick:{name}", text, text.replace("&", "") + f" ({key}).", (key,))
        acts.quick[name] = action
    return acts
