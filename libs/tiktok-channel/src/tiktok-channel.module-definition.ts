import { ConfigurableModuleBuilder, type Type } from '@nestjs/common';
import type { TiktokHelpdeskPort } from './host/helpdesk-port';
import type { TiktokChannelModuleOptions } from './tiktok-channel.options';

export interface TiktokChannelModuleExtras {
  /** The host's implementation of the port, instantiated inside the channel module. */
  helpdeskPort: Type<TiktokHelpdeskPort>;
  /** Make the messenger and services injectable everywhere in the host. Default true. */
  isGlobal?: boolean;
}

export const {
  ConfigurableModuleClass: TiktokChannelConfigurableModule,
  MODULE_OPTIONS_TOKEN: TIKTOK_CHANNEL_RAW_OPTIONS,
  OPTIONS_TYPE: TIKTOK_CHANNEL_OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE: TIKTOK_CHANNEL_ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<TiktokChannelModuleOptions>({ moduleName: 'TiktokChannel' })
  .setClassMethodName('forRoot')
  .setExtras<TiktokChannelModuleExtras>(
    { helpdeskPort: undefined as unknown as Type<TiktokHelpdeskPort>, isGlobal: true },
    (definition, extras) => ({ ...definition, global: extras.isGlobal ?? true }),
  )
  .build();
