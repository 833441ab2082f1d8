package app

// wireNetworkDirectory builds the network's directory part and mounts its routes.
func (a *App) wireNetworkDirectory() error {
	return nil
}
