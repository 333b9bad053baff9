import {
  ConfigurableModuleBuilder,
  type DynamicModule,
  type ForwardReference,
  type InjectionToken,
  type Type,
} from '@nestjs/common';
import type { TiktokHelpdeskPort } from './host/helpdesk-port';
import type { TiktokChannelModuleOptions } from './tiktok-channel.options';

/**
 * The host's implementation of the port: a class the channel instantiates (it may inject anything
 * the `imports` export, or any global provider), or the token of a provider the host already has.
 */
export type TiktokHelpdeskPortProvider =
  | Type<TiktokHelpdeskPort>
  | { useExisting: InjectionToken }
  | { useClass: Type<TiktokHelpdeskPort> };

export type TiktokChannelModuleImport =
  Type<unknown> | DynamicModule | Promise<DynamicModule> | ForwardReference;

export interface TiktokChannelModuleExtras {
  /** The host's implementation of `TiktokHelpdeskPort`. */
  helpdeskPort: TiktokHelpdeskPortProvider;
  /**
   * Host modules whose exported providers the port adapter injects (repositories, services).
   * With `forRootAsync`, the `imports` serve the options factory and the adapter alike.
   */
  imports?: TiktokChannelModuleImport[];
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
    {
      helpdeskPort: undefined as unknown as Type<TiktokHelpdeskPort>,
      imports: [],
      isGlobal: true,
    },
    (definition, extras) => ({
      ...definition,
      global: extras.isGlobal ?? true,
      // forRootAsync has put its `imports` here already; forRoot's come from the extras.
      imports: definition.imports ?? extras.imports ?? [],
    }),
  )
  .build();
