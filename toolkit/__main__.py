from toolkit._main import main

main()
