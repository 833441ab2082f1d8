package app

// wireNetworkMembership builds the network's membership part and mounts its routes.
func (a *App) wireNetworkMembership() error {
	return nil
}
