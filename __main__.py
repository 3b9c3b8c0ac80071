from xinglian.cli import main

main()
