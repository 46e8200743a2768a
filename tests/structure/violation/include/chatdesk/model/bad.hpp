// A model header that reaches up into the engine: the module check must refuse it.
#pragma once
#include "chatdesk/engine/desk.hpp"
