import CascadeCLI

CascadeCommand.main()
