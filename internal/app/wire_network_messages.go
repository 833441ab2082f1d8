package app

// wireNetworkMessages builds the network's messages part and mounts its routes.
func (a *App) wireNetworkMessages() error {
	return nil
}
