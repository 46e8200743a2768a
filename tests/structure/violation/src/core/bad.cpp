// A core source that reaches into a sibling's internals: the module check must refuse it.
#include "../model/internal.hpp"
