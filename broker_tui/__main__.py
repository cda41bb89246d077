from broker_tui.cli import main

main()
