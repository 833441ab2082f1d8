package app

// wireNetworkMatch builds the network's match part and mounts its routes.
func (a *App) wireNetworkMatch() error {
	return nil
}
