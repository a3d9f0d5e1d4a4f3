"""What the X server itself says about windows: their stacking order and the process of each.

For tests that must see what another process did to its window (raise it above ours) without
taking its word for it. Xlib through ctypes: libX11 is on every machine that runs Qt's xcb
plugin (libx11-xcb1 depends on it), so the test needs no extra package. Without a window
manager (Xvfb alone) top-level windows are direct children of the root window, and
``XQueryTree`` lists them bottom to top.
"""

from __future__ import annotations

import ctypes
import ctypes.util
from types import TracebackType

_Window = ctypes.c_ulong
_Atom = ctypes.c_ulong
_IS_VIEWABLE = 2
# Another process's window may vanish between two calls: Xlib's default handler would then
# end this process on BadWindow. This one ignores errors (the calls' results say enough).
_ERROR_HANDLER = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p)
_ignore_errors = _ERROR_HANDLER(lambda _display, _event: 0)
_XA_CARDINAL = 6


class _WindowAttributes(ctypes.Structure):
    """``XWindowAttributes`` from Xlib.h, in its order (only ``map_state`` is read)."""

    _fields_ = [
        ("x", ctypes.c_int),
        ("y", ctypes.c_int),
        ("width", ctypes.c_int),
        ("height", ctypes.c_int),
        ("border_width", ctypes.c_int),
        ("depth", ctypes.c_int),
        ("visual", ctypes.c_void_p),
        ("root", _Window),
        ("class_", ctypes.c_int),
        ("bit_gravity", ctypes.c_int),
        ("win_gravity", ctypes.c_int),
        ("backing_store", ctypes.c_int),
        ("backing_planes", ctypes.c_ulong),
        ("backing_pixel", ctypes.c_ulong),
        ("save_under", ctypes.c_int),
        ("colormap", ctypes.c_ulong),
        ("map_installed", ctypes.c_int),
        ("map_state", ctypes.c_int),
        ("all_event_masks", ctypes.c_long),
        ("your_event_mask", ctypes.c_long),
        ("do_not_propagate_mask", ctypes.c_long),
        ("override_redirect", ctypes.c_int),
        ("screen", ctypes.c_void_p),
    ]


class X11Display:
    """A connection of its own to ``$DISPLAY``; use as a context manager."""

    def __init__(self) -> None:
        lib = ctypes.CDLL(ctypes.util.find_library("X11") or "libX11.so.6")
        lib.XOpenDisplay.restype = ctypes.c_void_p
        lib.XOpenDisplay.argtypes = [ctypes.c_char_p]
        lib.XDefaultRootWindow.restype = _Window
        lib.XDefaultRootWindow.argtypes = [ctypes.c_void_p]
        lib.XInternAtom.restype = _Atom
        lib.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
        lib.XQueryTree.argtypes = [
            ctypes.c_void_p,
            _Window,
            ctypes.POINTER(_Window),
            ctypes.POINTER(_Window),
            ctypes.POINTER(ctypes.POINTER(_Window)),
            ctypes.POINTER(ctypes.c_uint),
        ]
        lib.XGetWindowAttributes.argtypes = [
            ctypes.c_void_p,
            _Window,
            ctypes.POINTER(_WindowAttributes),
        ]
        lib.XGetWindowProperty.argtypes = [
            ctypes.c_void_p,
            _Window,
            _Atom,
            ctypes.c_long,
            ctypes.c_long,
            ctypes.c_int,
            _Atom,
            ctypes.POINTER(_Atom),
            ctypes.POINTER(ctypes.c_int),
            ctypes.POINTER(ctypes.c_ulong),
            ctypes.POINTER(ctypes.c_ulong),
            ctypes.POINTER(ctypes.c_void_p),
        ]
        lib.XFree.argtypes = [ctypes.c_void_p]
        lib.XCloseDisplay.argtypes = [ctypes.c_void_p]
        lib.XSetErrorHandler.restype = ctypes.c_void_p
        lib.XSetErrorHandler.argtypes = [ctypes.c_void_p]
        self._previous_handler = lib.XSetErrorHandler(ctypes.cast(_ignore_errors, ctypes.c_void_p))
        self._lib = lib
        display = lib.XOpenDisplay(None)
        if not display:
            raise RuntimeError("cannot open $DISPLAY")
        self._display = display
        self._root = lib.XDefaultRootWindow(display)
        self._pid_atom = lib.XInternAtom(display, b"_NET_WM_PID", 0)

    def __enter__(self) -> X11Display:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._lib.XCloseDisplay(self._display)
        self._lib.XSetErrorHandler(self._previous_handler)

    def stacking(self) -> list[int]:
        """The root's viewable children, bottom to top."""
        lib, root_out, parent_out = self._lib, _Window(), _Window()
        children, count = ctypes.POINTER(_Window)(), ctypes.c_uint()
        lib.XQueryTree(
            self._display,
            self._root,
            ctypes.byref(root_out),
            ctypes.byref(parent_out),
            ctypes.byref(children),
            ctypes.byref(count),
        )
        windows = [int(children[i]) for i in range(count.value)]
        if children:
            lib.XFree(children)
        return [w for w in windows if self._viewable(w)]

    def pid_of(self, window: int) -> int | None:
        """The ``_NET_WM_PID`` Qt sets on its top-level windows."""
        kind, fmt = _Atom(), ctypes.c_int()
        items, after, data = ctypes.c_ulong(), ctypes.c_ulong(), ctypes.c_void_p()
        status = self._lib.XGetWindowProperty(
            self._display, window, self._pid_atom, 0, 1, 0, _XA_CARDINAL,
            ctypes.byref(kind), ctypes.byref(fmt), ctypes.byref(items), ctypes.byref(after),
            ctypes.byref(data),
        )  # fmt: skip
        try:
            if status != 0 or not data.value or items.value < 1 or fmt.value != 32:
                return None
            # Format 32 properties come back as C longs, whatever their size on the wire.
            return int(ctypes.cast(data, ctypes.POINTER(ctypes.c_long))[0])
        finally:
            if data.value:
                self._lib.XFree(data)

    def top_window_of(self, pid: int) -> tuple[int, int] | None:
        """(stacking position, window) of the topmost viewable window of process ``pid``."""
        found = None
        for position, window in enumerate(self.stacking()):
            if self.pid_of(window) == pid:
                found = (position, window)
        return found

    def position_of(self, window: int) -> int | None:
        order = self.stacking()
        return order.index(window) if window in order else None

    def _viewable(self, window: int) -> bool:
        attributes = _WindowAttributes()
        if not self._lib.XGetWindowAttributes(self._display, window, ctypes.byref(attributes)):
            return False
        return attributes.map_state == _IS_VIEWABLE
