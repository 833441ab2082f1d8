package app

// wireFiles builds the files service and mounts its routes.
func (a *App) wireFiles() error {
	return nil
}
