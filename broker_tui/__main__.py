from broker_tui.cli import entry

entry()
