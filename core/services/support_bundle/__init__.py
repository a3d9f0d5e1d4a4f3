"""The support bundle: one zip a person attaches to a support ticket, every secret taken out.

Help > Create support bundle… (``gui.support_bundle``) and ``main.py support-bundle --out FILE``
(:mod:`.command`, for when the window will not start) make the same file:

* ``README.txt``: what is inside, when and how it was made, whether unsaved changes are in it,
  and that every secret was taken out;
* ``inventory.json``: the JSON export, the same document File > Export writes
  (:mod:`core.services.exchange.export_json`), as the window shows the inventory;
* ``log.txt``: the log's last lines (:func:`core.services.logs.recent_lines`);
* ``about.json``: versions, platform, the keychain's *name*, counts, folders, the time.

Every member passes :func:`core.domain.redaction.redact` before it is written, then a last check
refuses to write the file if anything secret-shaped or any value a
:class:`~core.domain.secret.Secret` held is still in a member (:mod:`.contents`). The zip is
written next to its place and renamed in (:mod:`.archive`): it appears whole or not at all.

The modules are imported by their own names; this top level stays empty so none of them
imports another through it.
"""
