/// @file
/// Everything chatdesk offers, in one include.
#pragma once

#include "chatdesk/core/clock.hpp"
#include "chatdesk/core/country.hpp"
#include "chatdesk/core/currency.hpp"
#include "chatdesk/core/decimal.hpp"
#include "chatdesk/core/error.hpp"
#include "chatdesk/core/market.hpp"
#include "chatdesk/core/money.hpp"
#include "chatdesk/core/phone_number.hpp"
#include "chatdesk/core/time_zone.hpp"
#include "chatdesk/engine/conversation.hpp"
#include "chatdesk/engine/desk.hpp"
#include "chatdesk/engine/observer.hpp"
#include "chatdesk/engine/policy.hpp"
#include "chatdesk/engine/store.hpp"
#include "chatdesk/engine/transport.hpp"
#include "chatdesk/model/business.hpp"
#include "chatdesk/model/customer.hpp"
#include "chatdesk/model/message.hpp"
#include "chatdesk/model/template_status.hpp"
#include "chatdesk/version.hpp"
