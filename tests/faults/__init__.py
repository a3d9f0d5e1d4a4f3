"""The fault run of issue 8: ``python -m tests.faults [--quick] [--kinds a,b] [--seed N]``.

Each kind (a module here with ``run(count, seed) -> KindReport``) drives the product through
one family of faults and counts runs, failures and what was not available on this machine:

* ``save_kill``: SIGKILL at random moments of Save (child processes);
* ``keychain``: a keychain that is missing, locked, hanging (a real GNOME Keyring frozen with
  SIGSTOP, in a private D-Bus session) or erroring, through ``Workspace.save``;
* ``network``: timeouts, dropped connections, 500s, 429 storms and a wrong region through the
  simulator, including a real window (offscreen, in a child process) whose event loop must
  never stall for more than 100 ms;
* ``hostile_input``: the loopback listener, the consent paste path and every form field;
* ``leak_scan``: a full scripted flow, then every place a secret must never reach.

Not collected by pytest (no ``test_`` modules); ``tests/test_faults_harness.py`` runs a cheap kind.
The last line of output is one JSON object; the exit status is 1 when any check failed.
"""
