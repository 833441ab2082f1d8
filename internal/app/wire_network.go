package app

import (
	"context"

	"harambee.africa/harambee/internal/network"
	"harambee.africa/harambee/internal/network/directory"
	"harambee.africa/harambee/internal/network/match"
	"harambee.africa/harambee/internal/network/membership"
	"harambee.africa/harambee/internal/network/messages"
	"harambee.africa/harambee/internal/network/posts"
)

func init() { Migrations = append(Migrations, network.Migrations) }

// networkParts are the services of the cooperation network (action 1.2).
type networkParts struct {
	Core       *network.Core
	Membership *membership.Service
	Directory  *directory.Service
	Posts      *posts.Service
	Match      *match.Service
	Messages   *messages.Service
}

// wireNetwork opens the network's core (its programme office and members'
// community) and wires its parts, each in its own wire_network_*.go.
func (a *App) wireNetwork() error {
	core, err := network.Open(context.Background(), a.DB, a.Clock, a.Orgs, a.Sharing)
	if err != nil {
		return err
	}
	a.Network.Core = core
	for _, wire := range []func() error{a.wireNetworkMembership, a.wireNetworkDirectory, a.wireNetworkPosts, a.wireNetworkMatch, a.wireNetworkMessages} {
		if err := wire(); err != nil {
			return err
		}
	}
	return nil
}
