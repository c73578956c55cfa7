from voxcap.cli import main

main()
