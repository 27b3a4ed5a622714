export { permissionModuleEcrDemoPolicy as default } from './module';
