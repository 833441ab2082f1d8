package app

// wireNetworkPosts builds the network's posts part and mounts its routes.
func (a *App) wireNetworkPosts() error {
	return nil
}
