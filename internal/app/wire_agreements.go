package app

// wireAgreements builds the agreements service and mounts its routes.
func (a *App) wireAgreements() error {
	return nil
}
