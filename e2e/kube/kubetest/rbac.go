package kubetest

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	authorizationv1 "k8s.io/api/authorization/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
)

// grantEffectiveWithin bounds the wait for a new grant to take effect. The apiserver's
// RBAC authorizer reads roles and bindings from an informer cache, so a binding that was
// just created can still be denied for a moment; on a loaded machine that moment grows.
const grantEffectiveWithin = 60 * time.Second

// WaitAllowed returns once the authorizer allows user every verb of every rule in
// namespace ("" = across all namespaces, for cluster-wide grants), asking it through
// SubjectAccessReviews, the same decision a request of user would get. It fails the
// test when that does not happen within a minute.
func (e *Env) WaitAllowed(t testing.TB, namespace, user string, rules ...rbacv1.PolicyRule) {
	t.Helper()
	reviews := accessReviews(namespace, user, rules)
	ctx, cancel := context.WithTimeout(context.Background(), grantEffectiveWithin)
	defer cancel()
	for _, r := range reviews {
		var last string
		err := wait.PollUntilContextCancel(ctx, 20*time.Millisecond, true, func(ctx context.Context) (bool, error) {
			got, err := e.typed.AuthorizationV1().SubjectAccessReviews().Create(ctx, r, metav1.CreateOptions{})
			if err != nil {
				last = err.Error()
				return false, nil // a transient apiserver error; ask again until the bound
			}
			last = got.Status.Reason
			return got.Status.Allowed, nil
		})
		if err != nil {
			t.Fatalf("kubetest: %s is still not allowed to %s after %v (last answer: %q)", user, describe(r.Spec), grantEffectiveWithin, last)
		}
	}
}

// accessReviews expands rules into one review per verb, resource and API group (the
// first resource name stands for a rule limited to names).
func accessReviews(namespace, user string, rules []rbacv1.PolicyRule) []*authorizationv1.SubjectAccessReview {
	var out []*authorizationv1.SubjectAccessReview
	add := func(attrs *authorizationv1.ResourceAttributes, nonResource *authorizationv1.NonResourceAttributes) {
		out = append(out, &authorizationv1.SubjectAccessReview{Spec: authorizationv1.SubjectAccessReviewSpec{
			User: user, ResourceAttributes: attrs, NonResourceAttributes: nonResource,
		}})
	}
	for _, rule := range rules {
		for _, verb := range rule.Verbs {
			for _, path := range rule.NonResourceURLs {
				add(nil, &authorizationv1.NonResourceAttributes{Path: path, Verb: verb})
			}
			name := ""
			if len(rule.ResourceNames) > 0 {
				name = rule.ResourceNames[0]
			}
			for _, group := range rule.APIGroups {
				for _, res := range rule.Resources {
					resource, sub, _ := strings.Cut(res, "/")
					add(&authorizationv1.ResourceAttributes{Namespace: namespace, Verb: verb, Group: group,
						Resource: resource, Subresource: sub, Name: name}, nil)
				}
			}
		}
	}
	return out
}

func describe(s authorizationv1.SubjectAccessReviewSpec) string {
	if n := s.NonResourceAttributes; n != nil {
		return n.Verb + " " + n.Path
	}
	a := s.ResourceAttributes
	where := "in every namespace"
	if a.Namespace != "" {
		where = "in " + a.Namespace
	}
	return fmt.Sprintf("%s %s.%s %s", a.Verb, a.Resource, a.Group, where)
}
