package app

// wireNotify builds the notify service and mounts its routes.
func (a *App) wireNotify() error {
	return nil
}
